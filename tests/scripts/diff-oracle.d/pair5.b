only in b

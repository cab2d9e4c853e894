example.com
mail.example.com
example.net
lists.example.com
new.example

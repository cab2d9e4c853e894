# comment


&a@example.com

|/usr/bin/prog


./Maildir/
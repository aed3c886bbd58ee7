probe -F tests/data/bad/crlf.lspci --all -n

probe -F tests/data/bad/width-0-and-63.lspci --all -n

probe -F tests/data/bad/offset-huge.lspci --all -n

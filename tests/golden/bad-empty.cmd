probe -F tests/data/bad/empty.lspci --all -n

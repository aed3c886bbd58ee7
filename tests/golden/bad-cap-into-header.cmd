probe -F tests/data/bad/cap-into-header.lspci --all -n

probe -F tests/data/bad/binary.lspci --all -n

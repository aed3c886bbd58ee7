probe -F tests/data/bad/odd-size-block.lspci --all -n

probe -F tests/data/bad/non-hex.lspci --all -n

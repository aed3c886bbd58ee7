probe -F tests/data/bad/over-4096.lspci --all -n

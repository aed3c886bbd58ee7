probe -F tests/data/bad/reserved-speed.lspci --all -n

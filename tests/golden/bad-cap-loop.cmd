probe -F tests/data/bad/cap-loop.lspci --all -n

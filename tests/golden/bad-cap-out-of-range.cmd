probe -F tests/data/bad/cap-out-of-range.lspci --all -n

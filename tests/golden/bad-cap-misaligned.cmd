probe -F tests/data/bad/cap-misaligned.lspci --all -n

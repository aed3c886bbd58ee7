probe -F tests/data/bad/line-too-long.lspci --all -n

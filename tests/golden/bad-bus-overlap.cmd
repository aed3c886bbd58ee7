probe -F tests/data/bad/bus-overlap.lspci --all -n

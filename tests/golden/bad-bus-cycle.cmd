probe -F tests/data/bad/bus-cycle.lspci --all -n

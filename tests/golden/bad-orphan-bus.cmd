probe -F tests/data/bad/orphan-bus.lspci --all -n

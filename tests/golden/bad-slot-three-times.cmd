probe -F tests/data/bad/slot-three-times.lspci --all -n

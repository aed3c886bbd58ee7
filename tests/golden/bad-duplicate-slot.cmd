probe -F tests/data/bad/duplicate-slot.lspci --all -n

probe -F tests/data/bad/not-a-dump.lspci --all -n

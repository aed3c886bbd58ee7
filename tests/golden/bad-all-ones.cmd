probe -F tests/data/bad/all-ones.lspci --all -n

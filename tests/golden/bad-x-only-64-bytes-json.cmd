probe -F tests/data/bad/x-only-64-bytes.lspci --all -n -o json

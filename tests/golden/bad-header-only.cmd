probe -F tests/data/bad/header-only.lspci --all -n

probe -F tests/data/bad/lnkcap2-gaps.lspci --all -n

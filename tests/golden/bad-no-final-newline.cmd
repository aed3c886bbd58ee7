probe -F tests/data/bad/no-final-newline.lspci --all -n

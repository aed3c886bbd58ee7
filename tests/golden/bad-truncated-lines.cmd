probe -F tests/data/bad/truncated-lines.lspci --all -n

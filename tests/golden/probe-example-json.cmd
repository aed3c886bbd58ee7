probe --dump examples/gpu-workstation.lspci -n --all --format json

probe --dump examples/gpu-workstation.lspci -n --all -o yaml

probe -F examples/gpu-workstation.lspci -s ''

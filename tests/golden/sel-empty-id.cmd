probe -F examples/gpu-workstation.lspci -d ''

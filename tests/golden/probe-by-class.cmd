probe -F examples/gpu-workstation.lspci -n -d ::0108

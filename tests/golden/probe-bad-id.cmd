probe -F examples/gpu-workstation.lspci -n -d zz:

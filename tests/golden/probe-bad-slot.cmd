probe -F examples/gpu-workstation.lspci -n 0g:00.0

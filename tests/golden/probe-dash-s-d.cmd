probe -F examples/gpu-workstation.lspci -n -s 07: -d 10de:

probe -F - -n 05:00.0 < examples/gpu-workstation.lspci

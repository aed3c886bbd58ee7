gen-qemu-args -F tests/data/speed-amd-apu.lspci --qemu-version 7.2 --kernel-version 6.8 -o json 04:00

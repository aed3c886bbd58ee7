gen-qemu-args -F tests/data/speed-thunderbolt.lspci --qemu-version 7.2 --kernel-version 6.8 -o json 08:00

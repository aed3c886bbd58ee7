probe --sysfs tests/out/sysfs/gpu-nonroot -n --all

probe -F

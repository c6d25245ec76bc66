module antler.local/harness/images/pause

go 1.22

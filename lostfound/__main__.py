from lostfound.cli import main

main()

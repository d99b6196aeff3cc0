from testcanon.cli import main

main()

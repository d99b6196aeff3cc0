from testcanon.entry import main

main()

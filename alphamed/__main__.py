from alphamed.cli import main

main()

"""`python -m passeur` runs the command-line interface."""

from passeur.cli import main

if __name__ == "__main__":
    main()

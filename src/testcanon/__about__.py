__version__ = "0.1.0"
# Where testcanon's source and documentation live: SARIF `helpUri`s point into docs/rules/.
REPOSITORY_URI = "https://github.com/testcanon/testcanon"
DOCS_URI = f"{REPOSITORY_URI}/blob/main/docs"

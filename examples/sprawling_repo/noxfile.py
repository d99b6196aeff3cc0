import nox


@nox.session(python=["3.11"])
def tests(session):
    session.install("-e", ".", "pytest")
    session.run("pytest", "tests/unit", *session.posargs)

week4 key new ~/.week4/grading.key          # once per term; prints the key id
export WEEK4_KEY=~/.week4/grading.key       # week4 check, week4 grade and nbgrader use it
nbgrader autograde 01-virtualenv            # test cells grade in grading mode
week4 grade --submissions submitted --gradebook .nbgrader/gradebook.db --write-back

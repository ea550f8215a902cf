week4 export prairielearn 05-eda --key ~/.week4/grading.key --out questions/week4-05-eda
docker build -t week4-grader:latest questions/week4-05-eda/image

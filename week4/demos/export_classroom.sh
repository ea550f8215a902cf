week4 export github-classroom --out my-template --topic 05-eda

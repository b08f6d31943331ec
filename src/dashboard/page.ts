/** The dashboard's HTML shell; the client script fills it from the v1 API. */
export function renderDashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>text2lora · Usage dashboard</title>
</head>
<body>
<main id="app"><h1>text2lora usage dashboard</h1></main>
</body>
</html>
`;
}

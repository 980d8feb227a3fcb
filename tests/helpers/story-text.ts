/** Synthetic pages for the boilerplate rules' unit tests: five paragraphs of one harbour story. */
export const PAGE = 'https://harbour.example.org/news/2024/cranes.html';

export const STORY = Array.from(
  { length: 5 },
  (_, i) =>
    `<p>Paragraph ${i}: the harbour board signed the contract for the new quay wall on Monday, and the ` +
    `first pile will be driven in spring once the dredgers have cleared the old berth.</p>`,
).join('');

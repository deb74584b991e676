/** A response body as JSON, typed loosely for assertions. */
export async function bodyOf(res: Response): Promise<any> {
  return res.json();
}
